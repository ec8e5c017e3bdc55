"""The county's first consent texts (issue #14, item 2): the guardian's separate consent to processing the child's
personal information, and the second, separate consent for the sensitive items (disability, economic hardship,
health notes for safety). Written from PIPL Art. 28–31 and the CAC Provisions on the Online Protection of
Children's Personal Information (2019), in the words a village parent reads on a phone. A later wording is a new
version (a new row), never an edit of these."""

import datetime

from django.db import migrations

PERSONAL = """\
孩子不满十四周岁。按照《中华人民共和国个人信息保护法》第二十八条至第三十一条和《儿童个人信息网络保护规定》，孩子的个人信息都属于敏感个人信息，学校要先取得您（监护人）的单独同意，才能为课后服务处理这些信息。请您读完再决定。

一、谁来处理
孩子就读的学校和西吉县教育体育局。学校有负责个人信息保护的老师，您可以找班主任或在“我的数据”页面提出问题和请求。

二、处理哪些信息
孩子的姓名、性别、出生日期、学校和班级；您和其他监护人的姓名、手机号、与孩子的关系；接送人的姓名、关系和手机号；申请课后服务时填写的内容（想参加的服务和活动、接送困难的原因）；孩子参加课后服务的考勤、接送和安全记录。身份证号只在确有需要时使用，页面上只显示部分号码。

三、做什么用
只用于组织、开展和监督课后服务：报名和审核、编班、考勤、接送交接、安全管理、经费核算和上级检查。不用于别的事情，不用于任何商业用途，不提供给学校和教育局以外的人，法律法规另有规定的除外。

四、保存多久
只保存课后服务需要的时间。孩子退出或不再参加后，按县里规定的期限删除或匿名处理（例如退出两年后）。

五、您的权利
您可以随时在“我的数据”查看、下载这些信息，要求更正错误、要求删除，也可以随时撤回本同意。撤回不影响撤回以前已经做过的处理。

六、撤回会怎样
撤回后，学校不再为课后服务处理孩子的个人信息：孩子的课后服务申请会被撤销，孩子从撤回当天起退出课后服务。孩子在学校正常上课不受任何影响。以后想再参加，可以重新同意并重新申请。

七、完全自愿
同不同意由您决定。不同意，只是不能在网上为孩子报名课后服务，不影响孩子在学校的其他任何事情。"""

SENSITIVE = """\
这是和上一项分开的另一个同意。只有您勾选同意，学校才会收集和使用下面这些更需要保护的信息。

一、哪些信息
孩子是否有残疾；家庭是否经济困难（例如低保户、建档立卡户）；您在申请表“优先情况说明”里写的内容。如果学校为了安全记录孩子的健康情况（例如过敏、需要按时吃药），也属于这一类。

二、做什么用
县里规定：名额紧张时，残疾儿童和经济困难家庭的孩子优先安排课后服务。学校只用这些信息安排优先；健康情况只用于在课后服务中照顾好孩子的安全。

三、谁能看到
只有孩子的班主任和学校负责审核、编班的老师。县教育局只看到人数统计，看不到孩子的名字。

四、可能的影响
这类信息如果泄露或被滥用，可能使孩子受到歧视或伤害。学校只在必要范围内使用，专人保管，不对外公开。

五、不同意也可以报名
这些信息不是报名必须填写的。不同意时，请不要勾选“残疾”和“经济困难”，孩子照样可以报名，只是不按这些情况优先安排。

六、撤回会怎样
您可以随时撤回。撤回后，学校会删除申请里的“残疾”“经济困难”和优先情况说明，以及为安全记录的健康情况；编班时不再按这些情况优先。孩子的申请和课后服务照常继续。"""

TEXTS = [
    ("personal", "儿童个人信息处理同意书", PERSONAL),
    ("sensitive", "儿童敏感个人信息处理同意书（残疾、经济困难、健康情况）", SENSITIVE),
]
# The day PIPL came into force: the first version stands for every consent given from then on.
EFFECTIVE_FROM = datetime.date(2021, 11, 1)


def seed(apps, schema_editor):
    ConsentText = apps.get_model("enrollment", "ConsentText")
    for kind, title, body in TEXTS:
        ConsentText.objects.get_or_create(
            kind=kind, version=1, defaults={"title": title, "body": body, "effective_from": EFFECTIVE_FROM}
        )


def unseed(apps, schema_editor):
    ConsentText = apps.get_model("enrollment", "ConsentText")
    ConsentText.objects.filter(version=1, consents__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("enrollment", "0008_consents")]
    operations = [migrations.RunPython(seed, unseed)]
