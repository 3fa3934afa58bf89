"""Strings of sign-in, sign-out and access refusals (/login, the gate), and the audit page (/admin/audit)."""

from __future__ import annotations

STRINGS: dict[str, dict[str, str]] = {
    "access.login.title": {"zh": "登录", "en": "Sign in"},
    "access.login.lead": {
        "zh": "本系统含群众诉求、个人信息和企业数据，仅限授权人员使用。所有访问均记入审计日志。",
        "en": "This system holds citizens' requests, personal data and enterprises' data: authorised staff only. Every access is recorded in the audit trail.",
    },
    "access.login.username": {"zh": "用户名", "en": "User name"},
    "access.login.password": {"zh": "密码", "en": "Password"},
    "access.login.submit": {"zh": "登录", "en": "Sign in"},
    "access.login.help": {
        "zh": "忘记密码或账户被锁定，请联系本单位系统管理员。",
        "en": "Forgotten password or locked account: ask your office's administrator.",
    },
    "access.role_refused": {
        "zh": "您的账户角色无权打开此页面。",
        "en": "Your account's role may not open this page.",
    },
    "access.unavailable.title": {"zh": "暂时无法登录或访问", "en": "Temporarily unavailable"},
    "access.unavailable.body": {
        "zh": "账户与会话数据库暂时无法访问（可能被锁定或不可用）。请稍后重试；如持续出现，请联系系统管理员。",
        "en": "The database of accounts and sessions cannot be reached just now (locked or gone). Try again shortly; if it persists, tell your administrator.",
    },
    "access.signed_in_as": {"zh": "{name}（{role}）", "en": "{name} ({role})"},
    "access.sign_out": {"zh": "退出", "en": "Sign out"},
    "access.role.leader": {"zh": "领导", "en": "leader"},
    "access.role.staff": {"zh": "业务人员", "en": "staff"},
    "access.role.analyst": {"zh": "分析员", "en": "analyst"},
    "access.role.admin": {"zh": "管理员", "en": "admin"},
}

STRINGS.update({
    "admin.audit.title": {"zh": "审计日志", "en": "Audit trail"},
    "admin.audit.lead": {
        "zh": "谁在何时、从何处做了什么：登录与失败、明细查看与导出、账户变更等。最新的 {limit} 条在前；导出包含筛选出的全部记录。",
        "en": "Who did what, when and from where: sign-ins and failures, record views and exports, account changes. The newest {limit} first; the export holds every entry the filter matches.",
    },
    "admin.audit.chain_ok": {"zh": "哈希链完整：{n} 条记录均未被修改或删除。", "en": "The hash chain holds: none of the {n} entries was edited or deleted."},
    "admin.audit.chain_broken": {"zh": "哈希链断裂：", "en": "The hash chain is broken:"},
    "admin.audit.empty": {"zh": "没有符合条件的记录。", "en": "No entry matches."},
    "admin.audit.actor": {"zh": "用户", "en": "User"},
    "admin.audit.action": {"zh": "操作（可用 * 结尾匹配前缀）", "en": "Action (end with * for a prefix)"},
    "admin.audit.since": {"zh": "起始日期（UTC）", "en": "Since (UTC)"},
    "admin.audit.filter": {"zh": "筛选", "en": "Filter"},
    "admin.audit.export": {"zh": "导出 CSV", "en": "Export CSV"},
    "admin.audit.col.seq": {"zh": "序号", "en": "#"},
    "admin.audit.col.at": {"zh": "时间（UTC）", "en": "Time (UTC)"},
    "admin.audit.col.actor": {"zh": "用户", "en": "User"},
    "admin.audit.col.action": {"zh": "操作", "en": "Action"},
    "admin.audit.col.target": {"zh": "对象", "en": "Target"},
    "admin.audit.col.address": {"zh": "地址", "en": "Address"},
    "admin.audit.col.details": {"zh": "详情", "en": "Details"},
})
