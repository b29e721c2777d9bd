"""Tests for lehc_report.tools.qdpx: REFI-QDA export of the hand-made fixture."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from qual_fixture import tables, write_fixture

from lehc_report.tools.qdpx import QDA_NS, main, write_qdpx
from lehc_report.inputs.qualitative import load_qualitative

ROOT = Path(__file__).resolve().parents[1]
XSD = ROOT.parent / "shared" / "refi-qda" / "Project-mrt2019.xsd"
NS = {"q": QDA_NS}


@pytest.fixture
def data_dir(tmp_path):
    return write_fixture(tmp_path / "data")


@pytest.fixture
def data(data_dir):
    return load_qualitative(data_dir)


@pytest.fixture
def archive(data, tmp_path):
    path = write_qdpx(data, tmp_path / "out" / "project.qdpx", "LEHC test")
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}, z.infolist()


def _project(archive):
    files, _ = archive
    return etree.fromstring(files["project.qde"])


def test_project_validates_against_refi_qda_schema(archive):
    if not XSD.is_file():
        pytest.skip(f"REFI-QDA schema not found at {XSD} (shared/refi-qda is not checked out)")
    schema = etree.XMLSchema(file=str(XSD))
    project = _project(archive)
    assert schema.validate(project), schema.error_log
    assert project.tag == f"{{{QDA_NS}}}Project"
    assert project.get("name") == "LEHC test" and project.get("origin")


def test_archive_layout(archive):
    files, infos = archive
    names = [info.filename for info in infos]
    assert names == sorted(names) and names[0] == "project.qde"
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in infos)
    project = _project(archive)
    paths = [s.get("plainTextPath") for s in project.iterfind(".//q:TextSource", NS)]
    assert sorted(f"sources/{p.removeprefix('internal://')}" for p in paths) == names[1:]


def test_users_and_codebook(archive, data):
    project = _project(archive)
    users = {u.get("id"): u.get("guid") for u in project.iterfind("q:Users/q:User", NS)}
    assert set(users) == {"A", "B"}
    themes = project.findall("q:CodeBook/q:Codes/q:Code", NS)
    assert [t.get("name") for t in themes] == data.codebook.themes["name"].tolist()
    assert {t.get("isCodable") for t in themes} == {"false"}
    nested = [c for t in themes for c in t.findall("q:Code", NS)]
    assert [c.get("name") for c in nested] == data.codebook.codes["name"].tolist()
    assert {c.get("isCodable") for c in nested} == {"true"}
    for code, row in zip(nested, data.codebook.codes.itertuples(), strict=True):
        description = code.findtext("q:Description", namespaces=NS)
        assert row.definition in description and row.use_when in description
        assert row.not_when in description


def _code_ids_by_guid(project, data):
    """Map code GUID -> code_id using the '[code_id]' prefix of each Description."""
    out = {}
    for code in project.iterfind("q:CodeBook/q:Codes/q:Code/q:Code", NS):
        description = code.findtext("q:Description", namespaces=NS)
        out[code.get("guid")] = description[1 : description.index("]")]
    assert set(out.values()) == set(data.codebook.codes["code_id"])
    return out


def test_every_source_selection_and_coding_is_exported(archive, data):
    files, _ = archive
    project = _project(archive)
    users = {u.get("guid"): u.get("id") for u in project.iterfind("q:Users/q:User", NS)}
    codes = _code_ids_by_guid(project, data)
    sources = project.findall("q:Sources/q:TextSource", NS)
    assert [s.get("name") for s in sources] == data.respondents["respondent_id"].tolist()

    segments = data.segments.set_index("segment_id")
    seen_segments, exported = [], set()
    for source in sources:
        path = "sources/" + source.get("plainTextPath").removeprefix("internal://")
        text = files[path].decode("utf-8")
        for selection in source.iterfind("q:PlainTextSelection", NS):
            segment_id = selection.get("name")
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            # the offsets select exactly the segment's text in the respondent's source
            assert text[start:end] == segments.at[segment_id, "text"]
            assert segments.at[segment_id, "respondent_id"] == source.get("name")
            seen_segments.append(segment_id)
            for coding in selection.iterfind("q:Coding", NS):
                code_guid = coding.find("q:CodeRef", NS).get("targetGUID")
                exported.add((segment_id, users[coding.get("creatingUser")], codes[code_guid]))
    assert sorted(seen_segments) == sorted(segments.index)
    expected = set(data.codings[["segment_id", "coder", "code_id"]].itertuples(index=False,
                                                                              name=None))
    assert exported == expected
    assert len(project.findall(".//q:Coding", NS)) == len(data.codings) == 16


def test_survey_text_has_question_headers(archive, data):
    files, _ = archive
    project = _project(archive)
    s01 = next(s for s in project.iterfind(".//q:TextSource", NS) if s.get("name") == "S01")
    text = files["sources/" + s01.get("plainTextPath").removeprefix("internal://")].decode()
    assert text.startswith("[q01]\n")
    assert "[q05]\n" in text


def test_guids_are_unique(archive):
    project = _project(archive)
    guids = [el.get("guid") for el in project.iter() if el.get("guid")]
    assert len(guids) == len(set(guids))


def test_two_writes_are_byte_identical(data, data_dir, tmp_path):
    first = write_qdpx(data, tmp_path / "a.qdpx", "LEHC")
    second = write_qdpx(load_qualitative(data_dir), tmp_path / "b.qdpx", "LEHC")
    assert first.read_bytes() == second.read_bytes()


def test_guids_depend_only_on_ids(data_dir, tmp_path):
    # Changing one answer's text changes offsets and the text file, not the GUIDs.
    t = tables()
    t["survey_returns.csv"][1][2]["q05"] = "A different answer."
    other = load_qualitative(write_fixture(tmp_path / "other", t))
    a = write_qdpx(load_qualitative(data_dir), tmp_path / "a.qdpx", "LEHC")
    b = write_qdpx(other, tmp_path / "b.qdpx", "LEHC")
    with zipfile.ZipFile(a) as za, zipfile.ZipFile(b) as zb:
        assert za.namelist() == zb.namelist()
        guids = [
            sorted(el.get("guid") for el in etree.fromstring(z.read("project.qde")).iter()
                   if el.get("guid"))
            for z in (za, zb)
        ]
    assert guids[0] == guids[1]


def test_cli(data_dir, tmp_path, capsys):
    out = tmp_path / "cli.qdpx"
    assert main([str(data_dir), str(out), "--name", "LEHC"]) == 0
    assert out.read_bytes() == write_qdpx(
        load_qualitative(data_dir), tmp_path / "api.qdpx", "LEHC"
    ).read_bytes()

    (data_dir / "double_coded.csv").unlink()
    assert main([str(data_dir), str(tmp_path / "bad.qdpx")]) == 1
    assert "double_coded.csv" in capsys.readouterr().err
    assert not (tmp_path / "bad.qdpx").exists()


def test_cli_module_entry_point(data_dir, tmp_path):
    out = tmp_path / "module.qdpx"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"),
                                                        os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-m", "lehc_report.tools.qdpx", str(data_dir), str(out)],
        capture_output=True, text=True, env=env, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert zipfile.is_zipfile(out)
