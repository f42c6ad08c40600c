"""Day/month dates with two-digit years are settled by the file like four-digit ones.

The README's rule: a day/month date such as 03/02/2024 is read only with ``dayfirst`` or
``date_format`` unless the file itself settles it (a first field above 12). The same holds for
``03.02.24`` and ``03/02/24``; a two-digit year is read with the pivot of ``%y`` (00-68 are
2000-2068, 69-99 are 1969-1999) and one that lands after today is refused, not read as a
future date.
"""

from __future__ import annotations

import pandas as pd
import pytest

from trends.ingest import read_counts
from trends.ingest.incidents import read_incidents


def _daily(tmp_path, fmt: str, start="2022-01-01", days=40, name="d.csv"):
    dates = pd.date_range(start, periods=days)
    lines = ["Date,Fatalities"] + [f"{d.strftime(fmt)},{i % 7}" for i, d in enumerate(dates)]
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, dates


@pytest.mark.parametrize("fmt", ["%d.%m.%y", "%d/%m/%y", "%d-%m-%y"])
def test_a_first_field_above_12_settles_day_first_with_two_digit_years(tmp_path, fmt):
    path, dates = _daily(tmp_path, fmt)
    table, report = read_counts(path)
    assert report.rejected == 0 and report.accepted == len(dates)
    assert list(table.index) == list(dates)
    assert any("day-first" in n and "two-digit years" in n for n in report.notes)


def test_a_second_field_above_12_settles_month_first_with_two_digit_years(tmp_path):
    path, dates = _daily(tmp_path, "%m/%d/%y")
    table, report = read_counts(path)
    assert report.rejected == 0 and list(table.index) == list(dates)
    assert any("month-first" in n for n in report.notes)


def test_two_digit_years_with_dayfirst_given(tmp_path):
    path, dates = _daily(tmp_path, "%d.%m.%y", days=10)  # 01.01.22 .. 10.01.22: not settled
    with pytest.raises(Exception, match="day/month"):
        read_counts(path)
    table, report = read_counts(path, dayfirst=True)
    assert report.rejected == 0 and list(table.index) == list(dates)


def test_four_digit_years_still_settle(tmp_path):
    path, dates = _daily(tmp_path, "%d.%m.%Y")
    table, report = read_counts(path)
    assert report.rejected == 0 and list(table.index) == list(dates)


def test_a_two_digit_year_after_today_is_refused(tmp_path):
    today = pd.Timestamp.today().normalize()
    # 13/01/68 is 13 January 2068 under the %y pivot: in the future, so refused; the 1990s
    # rows are read as 1990s.
    path = tmp_path / "future.csv"
    path.write_text("Date,Fatalities\n13/01/90,1\n14/01/90,2\n13/01/68,3\n", encoding="utf-8")
    assert pd.Timestamp("2068-01-13") > today
    table, report = read_counts(path)
    assert report.accepted == 2 and report.rejected == 1
    [err] = report.errors
    assert err.row == 3 and "2068" in err.reason and "after today" in err.reason
    assert "write the year in full" in err.reason
    assert table.index.min() == pd.Timestamp("1990-01-13")


def test_a_first_field_above_31_does_not_settle_day_first(tmp_path):
    path = tmp_path / "ymd.csv"
    path.write_text("Date,Fatalities\n22/01/05,1\n45/01/06,2\n", encoding="utf-8")
    with pytest.raises(Exception, match="day/month"):
        read_counts(path)


def test_future_two_digit_years_are_refused_by_every_reader_with_dayfirst(tmp_path):
    path = tmp_path / "inc.csv"
    path.write_text(
        "incident_id,date,civilian_deaths_best\na,13/01/22,1\nb,13/01/67,2\n", encoding="utf-8"
    )
    table, report = read_incidents(path, dayfirst=True)
    assert report.accepted == 1 and report.rejected == 1
    assert "after today" in report.errors[0].reason
