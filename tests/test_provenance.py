"""The About page's provenance: dated by the sources, never by the build; no paths; escaped tables."""

from __future__ import annotations

import hashlib
import subprocess
from datetime import datetime, timezone

import pytest

from lehc_report.errors import DataError
from lehc_report.inputs import provenance


def test_source_date_epoch_wins():
    # 1700000000 s after 1970-01-01 is 2023-11-14 22:13:20 UTC.
    when = provenance.source_date(provenance.Path("/nonexistent"), {"SOURCE_DATE_EPOCH": "1700000000"})
    assert when == datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)


def test_source_date_epoch_must_be_whole_seconds():
    with pytest.raises(DataError, match=r"SOURCE_DATE_EPOCH: '2023-11-14' is not a whole number of seconds since 1970"):
        provenance.source_date(provenance.Path("/nonexistent"), {"SOURCE_DATE_EPOCH": "2023-11-14"})


def test_source_date_is_the_last_commits_date(tmp_path):
    env = {"GIT_AUTHOR_DATE": "2021-05-06T07:08:09+00:00", "GIT_COMMITTER_DATE": "2021-05-06T07:08:09+00:00",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.org", "PATH": "/usr/bin:/bin"}
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, env=env)
    subprocess.run(["git", "-C", str(tmp_path), "commit", "-q", "--allow-empty", "-m", "x"], check=True, env=env)
    assert provenance.source_date(tmp_path, {}) == datetime(2021, 5, 6, 7, 8, 9, tzinfo=timezone.utc)


def test_source_date_falls_back_to_a_fixed_date(tmp_path):
    assert provenance.source_date(tmp_path, {}) == provenance.FALLBACK_SOURCE_DATE


def test_about_values_are_the_declared_glue_keys(tmp_path):
    values = provenance.about_values(tmp_path, tmp_path / "cohort b", {"SOURCE_DATE_EPOCH": "0"})
    assert values == {"about_commit": "not a git checkout", "about_source_date": "1970-01-01",
                      "about_data": "cohort b"}
    assert provenance.ABOUT_GLUE.complete(values) == values


def test_input_hashes_names_files_only_and_hashes_them(tmp_path):
    (tmp_path / "b.csv").write_bytes(b"abc")
    (tmp_path / "a.yml").write_bytes(b"")
    (tmp_path / "sub").mkdir()
    table = provenance.input_hashes(tmp_path)
    assert table["file"].tolist() == ["a.yml", "b.csv"]
    assert table["bytes"].tolist() == [0, 3]
    # FIPS 180-2's example: SHA-256("abc").
    assert table["sha256"].iloc[1] == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert table["sha256"].iloc[0] == hashlib.sha256(b"").hexdigest()


def test_input_hashes_of_a_missing_folder_is_one_line(tmp_path):
    with pytest.raises(DataError) as raised:
        provenance.input_hashes(tmp_path / "missing")
    assert str(raised.value) == (
        f"missing: is not a folder; point DATA (LEHC_DATA) at the cohort's data folder [{tmp_path / 'missing'}]"
    )


def test_table_html_escapes_and_has_no_random_ids(tmp_path):
    (tmp_path / "<img src=x onerror=alert(1)>.txt").write_text("x")
    html = provenance.table_html(provenance.input_hashes(tmp_path))
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;.txt" in html
    assert " id=" not in html
    assert html == provenance.table_html(provenance.input_hashes(tmp_path))
