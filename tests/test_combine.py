"""Cross-source duplicates: the same incident from two sources is merged by the documented rule."""

from __future__ import annotations

import pandas as pd
import pytest

from trends.errors import InputError
from trends.ingest import read_incidents
from trends.ingest.combine import combine_incidents, normalise_place


def _write(tmp_path, name, lines):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return read_incidents(path)


HEADER = "incident_id,date,place,admin1,latitude,longitude,civilian_deaths_best,dataset"


def test_normalise_place():
    assert normalise_place("Al-Bara") == normalise_place("al Bara") == "bara"
    assert normalise_place("Ma’arrat al-Nu‘man") == normalise_place("Maarrat al Numan")
    assert normalise_place(None) == ""


def test_same_incident_two_sources_is_merged(tmp_path):
    airwars = _write(
        tmp_path,
        "a.csv",
        [
            HEADER,
            "AW-1,2019-12-07,Balyoun,Idlib,35.68,36.52,9,airwars",
            "AW-2,2019-12-07,Al Barah,Idlib,,,4,airwars",
            "AW-3,2019-12-08,Kafranbel,Idlib,,,2,airwars",
        ],
    )
    news = _write(
        tmp_path,
        "n.csv",
        [
            HEADER,
            "N-1,2019-12-07,Balyun,Idlib,35.681,36.521,9,news",  # within 2 km: same incident
            "N-2,2019-12-07,al-Bara,Idlib,,,5,news",  # no coordinates: same name after normalising
            "N-3,2019-12-07,Kafranbel,Idlib,,,2,news",  # different day from AW-3: not merged
            "N-4,2019-12-07,Bara,Hama,,,1,news",  # other governorate: not merged
        ],
    )
    table, report = combine_incidents([airwars, news])
    assert report.rows_read == 7 and report.duplicates == 2 and report.accepted == 5
    assert report.rows_read == report.accepted + report.rejected + report.duplicates
    assert set(table["incident_id"]) == {"AW-1", "AW-2", "AW-3", "N-3", "N-4"}
    by_key = {d.key: d for d in report.duplicate_rows}
    assert by_key["N-2 = AW-2"].differences == ("place", "civilian_deaths_best")
    assert "same incident, two sources" in by_key["N-1 = AW-1"].rule
    assert int(table["civilian_deaths_best"].sum()) == 9 + 4 + 2 + 2 + 1


def test_days_apart_and_priority(tmp_path):
    a = _write(tmp_path, "a.csv", [HEADER, "A1,2019-09-01,Hass,Idlib,,,3,a"])
    b = _write(tmp_path, "b.csv", [HEADER, "B1,2019-09-02,Hass,Idlib,,,4,b"])
    assert combine_incidents([a, b])[1].duplicates == 0
    table, report = combine_incidents([b, a], max_days=1)
    assert report.duplicates == 1 and table["incident_id"].tolist() == ["B1"]


def test_clashing_ids_are_refused(tmp_path):
    a = _write(tmp_path, "a.csv", [HEADER, "X,2019-09-01,Hass,Idlib,,,3,a"])
    b = _write(tmp_path, "b.csv", [HEADER, "X,2019-09-05,Hass,Idlib,,,3,b"])
    with pytest.raises(InputError, match="appears in two tables"):
        combine_incidents([a, b])


def test_each_kept_row_absorbs_at_most_one_row_per_table(tmp_path):
    a = _write(tmp_path, "a.csv", [HEADER, "A1,2019-09-01,Hass,Idlib,,,3,a"])
    b = _write(
        tmp_path,
        "b.csv",
        [HEADER, "B1,2019-09-01,Hass,Idlib,,,3,b", "B2,2019-09-01,Hass,Idlib,,,5,b"],
    )
    table, report = combine_incidents([a, b])
    assert report.duplicates == 1 and len(table) == 2
    assert isinstance(table, pd.DataFrame)
