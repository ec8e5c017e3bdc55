"""The funding app's personal fields (issue #14 item 3), registered with the one register,
xiji_afterschool/privacy.py: each teacher's share of a pay run. The other money records name schools, not people
(the disclosure publishes totals, never one person's amount)."""

from schools.rules import retention as r
from xiji_afterschool.privacy import HR, STAFF, PersonalData, register

register(
    app="funding",
    entries=[
        PersonalData(
            "funding.PayShare",
            (
                "responsible_hours",
                "substitute_hours",
                "assistant_hours",
                "workload",
                "performance_factor",
                "performance_reason",
                "points",
                "amount",
            ),
            STAFF,
            "参与课后服务教师的补助不得平均发放：按实际工作量和考核（多劳多得，优绩优酬）计算每人应发金额；"
            "人社局审核发放方案",
            HR,
            r.MONEY,
            note="会计档案，只增不改；公示只公开总额、人数和最高最低额",
        ),
    ],
)
