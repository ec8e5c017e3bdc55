"""`python manage.py privacy_register > docs/privacy.md`: the register of personal information as Markdown.

Every personal field each app declares in its `privacy.py` (the engine: `xiji_afterschool/privacy.py`), grouped by data
category, with its purpose, legal basis, who sees it (from the access engine) and how long it is kept (the retention
classes' defaults; the bureau's page shows the county's current settings). Written in Chinese for the county's person
in charge of personal information; a test regenerates it and fails when the committed copy differs.
"""

from django.core.management.base import BaseCommand
from django.utils import translation

from xiji_afterschool import privacy

HEADER = """# 个人信息登记册

本表列出系统保存的每一项个人信息：属于哪类信息、为什么收集（用途）、依据《个人信息保护法》哪一条、谁能看到、保存多久。
没有写明用途的字段不得保存（测试逐一检查各数据表的字段，发现未登记的个人信息即失败）。

- **个人信息保护负责人**：由县教育体育局指定（《个人信息保护法》第五十二条，《儿童个人信息网络保护规定》第八条），
  负责本表的审核和更新、监护人权利请求的督办。负责人使用教育局账号，在系统“个人信息登记册”页（`/bureau/privacy/`）
  查看本表及县里当前设定的保存期限；审计人员可查阅。
- **如何更新**：字段的登记写在各应用的 `privacy.py`（`schools`、`enrollment`、`funding`、`safety`、
  `xiji_afterschool/bureau`），然后运行 `python manage.py privacy_register > docs/privacy.md` 并提交。请勿手改本文件：
  测试会重新生成并比对。
- **谁能看到**：来自系统的访问表（`docs/access-table.md`）：列出能看到这些记录的角色；“完整”之外的角色只见打码的
  号码或不显示该字段。
- **保存期限**：数据类别的默认天数见下表，县教育体育局可在“数据保存期限”页调整（不得低于法定最短期限）；每晚的清理任务
  按期删除或匿名化。标为“未设保存期限”的信息目前不自动删除，需县里确定期限。
- 本系统的所有儿童均不满十四周岁，其个人信息均按敏感个人信息处理（《个人信息保护法》第二十八条、第三十一条）。
"""


def _cell(text: str) -> str:
    return text.replace("|", "｜").replace("\n", " ")


def _who(row: privacy.Row) -> str:
    parts = []
    if row.seen_by:
        parts.append(row.seen_by)
    if row.whole:
        parts.append(("完整：" if row.masked else "") + "、".join(row.whole))
    if row.masked:
        parts.append("打码或不显示：" + "、".join(row.masked))
    return "；".join(parts)


def _kept(row: privacy.Row) -> str:
    if row.days is None:
        return row.retention
    return f"{row.retention}：默认 {privacy.days_words(row.days)}"


def privacy_register() -> str:
    lines = [HEADER]
    with translation.override("zh-hans"):
        all_rows = privacy.rows()
        for category in privacy.CATEGORIES:
            mine = [r for r in all_rows if r.entry.category == category]
            if not mine:
                continue
            lines += [
                f"## {category}",
                "",
                "| 字段 | 用途 | 法律依据 | 谁能看到 | 保存期限 |",
                "| --- | --- | --- | --- | --- |",
            ]
            for row in mine:
                fields = "、".join(f"{words}（`{name}`）" for name, words in row.field_words)
                what = f"**{row.model_words}**（`{row.entry.model}`）：{fields}"
                purpose = row.entry.purpose + (f"。{row.entry.note}" if row.entry.note else "")
                lines.append(
                    f"| {_cell(what)} | {_cell(purpose)} | {_cell(row.entry.basis)} | {_cell(_who(row))} "
                    f"| {_cell(_kept(row))} |"
                )
            lines.append("")
        gaps = privacy.gap_models(all_rows)
        if gaps:
            lines += ["## 待确定保存期限", "", "以下记录目前不自动删除或匿名化，需县里确定保存期限：", ""]
            for row in gaps:
                same = [r for r in all_rows if r.gap and r.entry.model == row.entry.model]
                fields = "、".join(w for r in same for _n, w in r.field_words)
                lines.append(f"- {row.model_words}（`{row.entry.model}`）：{fields}")
            lines.append("")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Print the register of personal information (every personal field, its purpose, basis, audience, retention)."

    def handle(self, *args, **options):
        self.stdout.write(privacy_register(), ending="")
