"""View models: what a panel shows, as data.

Each module holds pure functions of a `cockpit.query.reader.Reader` and plain arguments that return
frozen dataclasses: numbers with their units and decimals, names already in the viewer's language,
nothing formatted and nothing drawn. Dash renderers in `cockpit.ui` turn them into components;
exports and reports will turn the same objects into their formats without deriving a number again.
No Dash here, and no access to the data except through the reader.
"""
