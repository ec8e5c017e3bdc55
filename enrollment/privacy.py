"""The enrollment app's personal fields (issue #14 item 3), registered with the one register,
xiji_afterschool/privacy.py: the agreement, the application (with its priority groups), their history, the letters
and the guardian's data requests."""

from django.db.models import Q

from schools.rules import retention as r
from schools.rules.retention import ANONYMISED as ANON
from xiji_afterschool.privacy import (
    CHILD,
    CHILD_SENSITIVE,
    CONSENT_GUARDIAN,
    CONSENT_SEPARATE,
    CONTRACT,
    DUTY,
    GUARDIAN,
    Expiry,
    PersonalData,
    register,
)

register(
    app="enrollment",
    entries=[
        PersonalData(
            "enrollment.Consent",
            ("kind", "signer_name", "relation", "ip_address"),
            GUARDIAN,
            "监护人单独同意处理儿童个人信息、敏感个人信息的记录：哪一版文本、谁、以什么身份、何时、从何处同意或撤回",
            CONSENT_GUARDIAN,
            r.APPLICANTS_CLOSED,
            note="儿童匿名时签署人姓名和地址随之匿名",
        ),
        PersonalData(
            "enrollment.Agreement",
            ("decision", "signer_name", "relation", "consent", "paper_original_on_file"),
            GUARDIAN,
            "签订自愿服务协议书：谁、以什么身份、何时同意或拒绝哪一版协议；纸质原件是否存档",
            CONTRACT,
            r.APPLICANTS_CLOSED,
            note="拒签的协议期满后签署人姓名改为“已匿名”；签署的协议随儿童在册期间保存",
        ),
        PersonalData(
            "enrollment.Agreement",
            ("ip_address", "user_agent"),
            GUARDIAN,
            "在线签署的证据：签署时的网络地址和浏览器，证明是监护人本人签署（《电子签名法》）",
            CONTRACT,
            r.APPLICANTS_CLOSED,
            note="拒签的协议期满后删除",
        ),
        PersonalData(
            "enrollment.Application",
            (
                "service_kind",
                "extended_reason",
                "pickup_difficulty",
                "preferences",
                "withdrawal_effective",
                "paper_original_on_file",
            ),
            CHILD,
            "《自愿参加课后服务工作申请表》：确实有接送困难、需要延时托管的原因，想参加的活动；家长申请、班级审核、"
            "学校统一实施；纸质申请由学校代录并存档原件",
            CONSENT_GUARDIAN,
            r.APPLICANTS_CLOSED,
            note="撤回的申请期满后删除原因，只保留人数和优先群体用于统计",
        ),
        PersonalData(
            "enrollment.Application",
            ("dual_working", "migrant_child", "priority_note"),
            CHILD,
            "优先保障双职工家庭子女、进城务工人员随迁子女等亟需服务群体：排定录取顺序",
            CONSENT_GUARDIAN,
            r.APPLICANTS_CLOSED,
        ),
        PersonalData(
            "enrollment.Application",
            ("disability", "economic_hardship"),
            CHILD_SENSITIVE,
            "优先保障残疾儿童、家庭经济困难儿童：只作录取优先的依据，不写明具体情况",
            CONSENT_SEPARATE,
            r.APPLICANTS_CLOSED,
            note="敏感个人信息：须监护人单独同意；撤回同意即停止处理",
        ),
        PersonalData(
            "enrollment.Application",
            ("pickup_person", "pickup_relation", "pickup_mobile"),
            GUARDIAN,
            "服务结束后来接孩子的人及联系电话：落实交接班制度，晚接时联系",
            CONSENT_GUARDIAN,
            r.APPLICANTS_CLOSED,
            whole_for="application.view_contact",
            note="撤回的申请期满后删除",
        ),
        PersonalData(
            "enrollment.ApplicationEvent",
            "note",
            CHILD,
            "申请的审核记录：退回、不同意的理由（可能涉及孩子情况）",
            CONSENT_GUARDIAN,
            r.APPLICANTS_CLOSED,
            seen_through="enrollment.Application",
            note="只增不改的流程记录；撤回的申请期满后，审核意见随申请匿名",
        ),
        PersonalData(
            "enrollment.LetterBatch",
            "file",
            CHILD,
            "《致家长的一封信》打印文件（每名学生一页，含姓名和绑定码）",
            DUTY,
            r.LETTERS,
        ),
        PersonalData(
            "enrollment.DataRequest",
            ("kind", "what_is_wrong", "should_be", "details", "answer"),
            GUARDIAN,
            "监护人行使个人信息权利：更正、删除、撤回同意的请求和学校的答复（15个工作日内）",
            DUTY,
            r.REQUESTS,
        ),
        PersonalData(
            "enrollment.DataRequestEvent",
            "note",
            GUARDIAN,
            "个人信息权利请求的办理记录",
            DUTY,
            r.REQUESTS,
            seen_through="enrollment.DataRequest",
        ),
    ],
    expiries=[  # three years after the answer: what the guardian asked and what the school answered
        Expiry(
            "enrollment.DataRequest",
            r.REQUESTS,
            "answered_at",
            {"what_is_wrong": "", "should_be": "", "details": ANON, "answer": ANON},
        ),
        Expiry("enrollment.DataRequestEvent", r.REQUESTS, "request__answered_at", {"note": ANON}, where=(~Q(note=""),)),
    ],
)
