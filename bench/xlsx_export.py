"""Benchmark: the roster workbook writer (openpyxl write-only) at county sizes. Prints numbers; asserts nothing.

.venv/bin/python bench/xlsx_export.py [rows ...]
"""

import datetime
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xiji_afterschool.exports import write_xlsx

HEADER = ["年级", "班级", "姓名", "性别", "出生日期", "身份证号", "住校", "监护人", "关系", "监护人手机"]


def rows(n):
    birth = datetime.date(2013, 5, 17)
    for i in range(n):
        yield [
            "三年级",
            i % 6 + 1,
            f"学生{i}",
            "男",
            birth,
            f"64042220130517{i % 1000:03d}X",
            "否",
            "马文清",
            "父亲",
            "13909540001",
        ]


def main(sizes):
    for n in sizes:
        start = time.perf_counter()
        data = write_xlsx(title="花名册", header=HEADER, rows=rows(n))
        elapsed = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"{n:>7} rows  {elapsed:6.2f} s  {len(data) / 1024:8.0f} KiB  peak RSS so far {peak:6.0f} MiB")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [450, 3000, 30000, 100000])
