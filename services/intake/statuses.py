"""A ticket's statuses and the Chinese labels citizens and staff see."""

from enum import StrEnum


class Status(StrEnum):
    submitted = "submitted"
    pending_info = "pending_info"
    expired = "expired"
    rejected = "rejected"
    accepted = "accepted"
    assigned = "assigned"
    in_progress = "in_progress"
    leader_review = "leader_review"
    center_audit = "center_audit"
    resolved = "resolved"
    closed = "closed"
    merged = "merged"

    @property
    def label(self) -> str:
        return LABELS[self]


LABELS = {
    Status.submitted: "待受理",
    Status.pending_info: "待完善",
    Status.expired: "已失效",
    Status.rejected: "不予受理",
    Status.accepted: "已受理",
    Status.assigned: "已派单",
    Status.in_progress: "办理中",
    Status.leader_review: "单位审核中",
    Status.center_audit: "中心审核中",
    Status.resolved: "已办结待评价",
    Status.closed: "已归档",
    Status.merged: "已合并",
}

OPEN = frozenset(Status) - {Status.expired, Status.rejected, Status.closed, Status.merged}
