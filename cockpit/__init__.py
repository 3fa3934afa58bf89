"""城市数字驾驶舱 (city digital cockpit): feeds, indicator systems, big screen and PC views."""

__version__ = "0.1.0"
