"""The county console's personal fields (issue #14 item 3), registered with the one register,
xiji_afterschool/privacy.py: feedback from the public (意见建议与投诉). The console's figures, inspections and school
reports hold numbers and the state of schools, not people."""

from django.db.models import Q

from schools.rules import retention as r
from schools.rules.retention import ANONYMISED as ANON
from xiji_afterschool.privacy import CONSENT_ADULT, OTHER_ADULT, Expiry, PersonalData, register

register(
    app="bureau",
    entries=[
        PersonalData(
            "bureau.Feedback",
            ("sender", "name", "mobile", "text"),
            OTHER_ADULT,
            "意见建议与投诉：反映人自愿留下姓名和电话，以便答复；可匿名反映",
            CONSENT_ADULT,
            r.REQUESTS,
        ),
        PersonalData(
            "bureau.Feedback",
            ("answer", "referral_note"),
            OTHER_ADULT,
            "对反映人的答复、转市场监管局的说明",
            CONSENT_ADULT,
            r.REQUESTS,
        ),
        PersonalData(
            "bureau.FeedbackEvent",
            "note",
            OTHER_ADULT,
            "意见建议与投诉的办理记录",
            CONSENT_ADULT,
            r.REQUESTS,
            seen_through="bureau.Feedback",
        ),
    ],
    expiries=[  # three years after the answer: the sender's name and mobile, the message and the answer
        Expiry(
            "bureau.Feedback",
            r.REQUESTS,
            "answered_at",
            {"name": "", "mobile": "", "text": ANON, "answer": ANON, "referral_note": ""},
        ),
        Expiry("bureau.FeedbackEvent", r.REQUESTS, "feedback__answered_at", {"note": ANON}, where=(~Q(note=""),)),
    ],
)
