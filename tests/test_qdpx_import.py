"""Tests for lehc_report.inputs.qdpx_import: a REFI-QDA project as the cohort's qualitative data."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree
from qdpx_projects import LAYOUTS, TOOLS, build, write_project
from qual_fixture import write_fixture

from lehc_report.errors import QualitativeDataError
from lehc_report.inputs.qdpx_import import MAX_TOTAL_BYTES, load_qdpx
from lehc_report.inputs.qualitative import load_qualitative
from lehc_report.tools.qdpx import write_qdpx

ROOT = Path(__file__).resolve().parents[1]
XSD = ROOT.parent / "shared" / "refi-qda" / "Project-mrt2019.xsd"
SHIPPED = ROOT / "data"
QUAL_FILES = ("codebook.yml", "respondents.csv", "survey_returns.csv", "interview_segments.csv", "codings.csv",
              "double_coded.csv")


@pytest.fixture
def fixture_data(tmp_path):
    return load_qualitative(write_fixture(tmp_path / "csv"))


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def assert_same(imported, original) -> None:
    """Every frame of two QualitativeData equal (codings compared as a set of rows)."""
    pd.testing.assert_frame_equal(imported.codebook.themes, original.codebook.themes)
    pd.testing.assert_frame_equal(imported.codebook.codes, original.codebook.codes)
    pd.testing.assert_frame_equal(imported.respondents, original.respondents)
    pd.testing.assert_frame_equal(imported.segments, original.segments)
    keys = ["segment_id", "coder", "code_id"]
    pd.testing.assert_frame_equal(_sorted(imported.codings, keys), _sorted(original.codings, keys))
    pd.testing.assert_frame_equal(imported.double_coded, original.double_coded)
    assert imported.files == original.files


# --------------------------------------------------------------------------------------
# Round trip: make qdpx, then read the file alone
# --------------------------------------------------------------------------------------


def test_round_trip_of_the_fixture(fixture_data, tmp_path):
    folder = tmp_path / "qdpx_only"
    write_qdpx(fixture_data, folder / "coding.qdpx", "LEHC")
    imported = load_qualitative(folder)
    assert_same(imported, fixture_data)
    assert imported.codings.query("exemplar == 'yes'")["segment_id"].tolist() == [
        "S01-q01", "S01-q05", "S02-q01", "S03-q05", "I01-01", "I01-02", "I02-01"]


def test_round_trip_of_the_shipped_data(tmp_path):
    original = load_qualitative(SHIPPED)
    folder = tmp_path / "cohort"
    write_qdpx(original, folder / "lehc.qdpx", "LEHC")
    imported = load_qualitative(folder)
    assert_same(imported, original)
    assert len(imported.segments) == len(original.segments) > 100
    assert imported.double_coding and imported.coded


def test_round_trip_gives_the_same_stage_results(tmp_path):
    """The qualitative stage on the CSV files and on the .qdpx made from them: same results CSVs."""
    from lehc_report.paths import ProjectPaths
    from lehc_report.stages.qual import analyse_qualitative

    qdpx_data = tmp_path / "qdpx_data"
    qdpx_data.mkdir()
    for f in SHIPPED.iterdir():
        if f.is_file() and f.name not in QUAL_FILES:
            shutil.copy(f, qdpx_data / f.name)
    write_qdpx(load_qualitative(SHIPPED), qdpx_data / "exported by the team.qdpx", "LEHC")
    results = {}
    for label, data_dir in (("csv", SHIPPED), ("qdpx", qdpx_data)):
        paths = ProjectPaths(root=ROOT, data=data_dir, build=tmp_path / f"build_{label}")
        result = analyse_qualitative(paths)
        results[label] = (paths, result)
    csv_paths, qdpx_paths = results["csv"][0], results["qdpx"][0]
    names = sorted(p.name for p in csv_paths.results.glob("*.csv"))
    assert names == sorted(p.name for p in qdpx_paths.results.glob("*.csv"))
    assert {"theme_tally.csv", "intercoder_agreement.csv", "quote_bank.csv"} <= set(names)
    for name in names:
        assert (csv_paths.results / name).read_bytes() == (qdpx_paths.results / name).read_bytes(), name
    assert (csv_paths.tables / "profiles.md").read_text() == (qdpx_paths.tables / "profiles.md").read_text()
    assert results["csv"][1].glue == results["qdpx"][1].glue


# --------------------------------------------------------------------------------------
# Projects as the four tools write them
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("tool", TOOLS)
def test_tool_layouts(tool, fixture_data, tmp_path):
    folder = tmp_path / tool
    write_project(fixture_data, tool, folder)
    imported = load_qualitative(folder)
    # Codes get IDs from their names (tools keep no IDs); map them back to compare.
    assert imported.codebook.codes["name"].tolist() == fixture_data.codebook.codes["name"].tolist()
    assert imported.codebook.themes["theme_id"].tolist() == ["a_shared_philosophy", "changed_practice"]
    assert imported.codebook.codes["code_id"].iloc[0] == "a_shared_philosophy.values"
    assert set(imported.codebook.codes["use_when"]) == {""}
    to_fixture = dict(zip(imported.codebook.codes["code_id"], fixture_data.codebook.codes["code_id"], strict=True))
    codings = imported.codings.assign(code_id=imported.codings["code_id"].map(to_fixture))
    keys = ["segment_id", "coder", "code_id"]
    pd.testing.assert_frame_equal(_sorted(codings, keys), _sorted(fixture_data.codings, keys))
    pd.testing.assert_frame_equal(imported.respondents, fixture_data.respondents)
    pd.testing.assert_frame_equal(imported.segments, fixture_data.segments)
    pd.testing.assert_frame_equal(imported.double_coded, fixture_data.double_coded)


def test_layouts_differ_as_the_tools_do(fixture_data):
    """The fixtures exercise what they claim: GUID case, BOMs, CR LF, inline text."""
    qde, members, _ = build(fixture_data, "nvivo")
    root = etree.fromstring(qde)
    assert root.find("{*}Users/{*}User").get("guid").isupper()
    first = next(iter(members.values()))
    assert first.startswith(b"\xef\xbb\xbf") and b"\r\n" in first
    qde, members, _ = build(fixture_data, "maxqda")
    assert b"PlainTextContent" in qde and not members
    qde, _, _ = build(fixture_data, "atlasti")
    assert b'origin="ATLAS.ti' in qde and LAYOUTS["atlasti"].crlf_is_one


def test_crlf_offsets_count_two_characters_except_in_atlas(fixture_data, tmp_path):
    # The interview passage I01-01 holds a line break: read back as LF either way.
    for tool in ("nvivo", "atlasti"):
        imported = load_qualitative(write_project(fixture_data, tool, tmp_path / tool).parent)
        text = imported.segments.set_index("segment_id").at["I01-01", "text"]
        assert text == "The course made me think about the person in front of me.\nEvery time."


@pytest.mark.parametrize("tool", [None, *TOOLS])
def test_projects_validate_against_the_schema(tool, fixture_data, tmp_path):
    if not XSD.is_file():
        pytest.skip(f"REFI-QDA schema not found at {XSD} (shared/refi-qda is not checked out)")
    schema = etree.XMLSchema(file=str(XSD))
    if tool is None:
        path = write_qdpx(fixture_data, tmp_path / "lehc.qdpx", "LEHC")
        qde = zipfile.ZipFile(path).read("project.qde")
    else:
        qde = build(fixture_data, tool)[0]
    project = etree.fromstring(qde)
    assert schema.validate(project), schema.error_log


# --------------------------------------------------------------------------------------
# Which files: dispatch and refusals
# --------------------------------------------------------------------------------------


def test_a_qdpx_beside_the_csv_files_is_refused(fixture_data, tmp_path):
    folder = write_fixture(tmp_path / "both")
    write_qdpx(fixture_data, folder / "coding.qdpx", "LEHC")
    with pytest.raises(QualitativeDataError) as err:
        load_qualitative(folder)
    assert str(err.value) == (
        "coding.qdpx: the data folder holds both a REFI-QDA project and codebook.yml, respondents.csv, "
        "survey_returns.csv, interview_segments.csv, codings.csv, double_coded.csv. What to do: keep either "
        "the .qdpx or the CSV files, not both (data/README.md).")


def test_two_projects_are_refused(fixture_data, tmp_path):
    write_qdpx(fixture_data, tmp_path / "two" / "a.qdpx", "LEHC")
    write_qdpx(fixture_data, tmp_path / "two" / "b.QDPX", "LEHC")
    with pytest.raises(QualitativeDataError, match=r"^b.QDPX: the data folder holds 2 REFI-QDA projects"):
        load_qualitative(tmp_path / "two")


# --------------------------------------------------------------------------------------
# An untrusted archive
# --------------------------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


def _project_members(fixture_data) -> dict[str, bytes]:
    qde, members, _ = build(fixture_data, "qualcoder")
    return {"project.qde": qde, **members}


def test_external_entities_are_refused(fixture_data, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("do not read me")
    qde = (f'<?xml version="1.0"?>\n<!DOCTYPE Project [<!ENTITY x SYSTEM "file://{secret}">]>\n'
           '<Project xmlns="urn:QDA-XML:project:1.0" name="&x;"/>').encode()
    path = _zip(tmp_path / "xxe" / "p.qdpx", {"project.qde": qde})
    with pytest.raises(QualitativeDataError, match=r"p.qdpx, entry project.qde: the XML declares a DTD"):
        load_qdpx(path)


def test_member_outside_the_archive_is_refused(fixture_data, tmp_path):
    members = {**_project_members(fixture_data), "../evil.txt": b"x"}
    path = _zip(tmp_path / "slip" / "p.qdpx", members)
    with pytest.raises(QualitativeDataError) as err:
        load_qdpx(path)
    assert str(err.value) == ("p.qdpx, entry ../evil.txt: this member's path points outside the archive. "
                              "What to do: export the project again from the coding tool; do not add files by hand.")


def test_internal_path_may_not_leave_sources(fixture_data, tmp_path):
    members = _project_members(fixture_data)
    qde = members["project.qde"].replace(b'plainTextPath="internal://', b'plainTextPath="internal://../', 1)
    path = _zip(tmp_path / "up" / "p.qdpx", {**members, "project.qde": qde})
    with pytest.raises(QualitativeDataError, match=r"element '<TextSource name='Survey S01'>': the path "
                                                   r"'internal://\.\./.*' points outside the archive's sources/"):
        load_qdpx(path)


def test_decompressed_size_is_bounded(fixture_data, tmp_path, monkeypatch):
    import lehc_report.inputs.qdpx_import as qi

    members = _project_members(fixture_data)
    limit = sum(len(v) for v in members.values()) + 1000
    monkeypatch.setattr(qi, "MAX_TOTAL_BYTES", limit)
    load_qdpx(_zip(tmp_path / "fits" / "p.qdpx", members))  # within the bound
    members = {**members, "sources/big.txt": b"a" * 100_000}  # compresses to a few hundred bytes
    path = _zip(tmp_path / "bomb" / "p.qdpx", members)
    with pytest.raises(QualitativeDataError, match=rf"entry sources/big.txt: the archive decompresses to more than "
                                                   rf"{limit:,} bytes"):
        load_qdpx(path)
    assert MAX_TOTAL_BYTES == 200 * 1024 * 1024


def test_member_count_is_bounded(fixture_data, tmp_path, monkeypatch):
    import lehc_report.inputs.qdpx_import as qi

    monkeypatch.setattr(qi, "MAX_MEMBERS", 3)
    path = _zip(tmp_path / "many" / "p.qdpx", _project_members(fixture_data))
    with pytest.raises(QualitativeDataError, match=r"the archive holds \d+ members, more than the 3"):
        load_qdpx(path)


def test_not_a_zip(tmp_path):
    path = tmp_path / "p.qdpx"
    path.write_text("hello")
    with pytest.raises(QualitativeDataError, match=r"^p.qdpx, entry p.qdpx: the file is not a readable zip"):
        load_qdpx(path)


# --------------------------------------------------------------------------------------
# A broken project: named entry and element
# --------------------------------------------------------------------------------------


def _broken(fixture_data, tmp_path, old: bytes, new: bytes, tool: str = "qualcoder") -> Path:
    qde, members, cohort = build(fixture_data, tool)
    assert old in qde
    return _zip(tmp_path / "broken" / "p.qdpx", {"project.qde": qde.replace(old, new, 1), **members})


def test_missing_source_file(fixture_data, tmp_path):
    qde, members, _ = build(fixture_data, "qualcoder")
    first = sorted(members)[0]
    path = _zip(tmp_path / "m" / "p.qdpx", {"project.qde": qde, **{k: v for k, v in members.items() if k != first}})
    with pytest.raises(QualitativeDataError, match=rf"entry {first}, element '<TextSource name=.*'>': the source file "
                                                   "named by plainTextPath is not in the archive"):
        load_qdpx(path)


def test_selection_outside_the_text(fixture_data, tmp_path):
    path = _broken(fixture_data, tmp_path, b'endPosition="', b'endPosition="9999')
    with pytest.raises(QualitativeDataError, match=r"entry project.qde, element '<PlainTextSelection name=.*': the "
                                                   r"selection \d+-9999\d* lies outside the source"):
        load_qdpx(path)


def test_case_without_consent_variable(fixture_data, tmp_path):
    path = _broken(fixture_data, tmp_path, b"<TextValue>yes</TextValue>", b"<TextValue>maybe</TextValue>")
    with pytest.raises(QualitativeDataError) as err:
        load_qdpx(path)
    assert str(err.value).startswith(
        "p.qdpx, entry project.qde, element '<Case name='S01'>': the case variable 'consent_to_quote' is 'maybe' "
        "(allowed: yes, no).")


def test_source_of_unknown_kind(fixture_data, tmp_path):
    path = _broken(fixture_data, tmp_path, b"<TextValue>survey</TextValue>", b"<TextValue>diary</TextValue>")
    with pytest.raises(QualitativeDataError, match=r"element '<TextSource name='Survey S01'>': the source does not "
                                                   "say whether it is a survey return or an interview"):
        load_qdpx(path)


def test_not_a_refi_project(tmp_path):
    path = _zip(tmp_path / "r" / "p.qdpx", {"project.qde": b"<Project name='x'/>"})
    with pytest.raises(QualitativeDataError, match=r"element '<Project>': the root element is not a REFI-QDA 1.0"):
        load_qdpx(path)


def test_three_coders_are_refused(fixture_data, tmp_path):
    qde, members, _ = build(fixture_data, "qualcoder")
    users_end = qde.index(b"</Users>")
    third = b'<User guid="11111111-1111-1111-1111-111111111111" name="third"/>'
    qde = qde[:users_end] + third + qde[users_end:]
    first_coding = qde.index(b'<Coding guid="')
    end = qde.index(b'creatingUser="', first_coding) + len(b'creatingUser="')
    qde = qde[:end] + b"11111111-1111-1111-1111-111111111111" + qde[end + 36:]
    path = _zip(tmp_path / "three" / "p.qdpx", {"project.qde": qde, **members})
    with pytest.raises(QualitativeDataError, match=r"element '<Users>': 3 users coded text \(default, second, third\)"):
        load_qdpx(path)


def test_primary_coder_named_in_cohort_yml(fixture_data, tmp_path):
    folder = tmp_path / "named"
    write_project(fixture_data, "qualcoder", folder)
    (folder / "cohort.yml").write_text("qdpx:\n  primary_coder: default\n", encoding="utf-8")
    assert load_qualitative(folder).codings["coder"].value_counts().to_dict() == {"A": 11, "B": 5}
    # Naming the second coder as primary: the passages only the other user selected are in no segment.
    (folder / "cohort.yml").write_text("qdpx:\n  primary_coder: second\n", encoding="utf-8")
    with pytest.raises(QualitativeDataError, match=r"the selection \d+-\d+ in source 'Interview I01' lies in no "
                                                   "segment"):
        load_qualitative(folder)
    (folder / "cohort.yml").write_text("qdpx:\n  primary_coder: nobody\n", encoding="utf-8")
    with pytest.raises(QualitativeDataError, match=r"cohort.yml, key 'qdpx.primary_coder': 'nobody' is not a user"):
        load_qualitative(folder)


# --------------------------------------------------------------------------------------
# Codebook rules and the primary-coding rule, on a small hand-written project
# --------------------------------------------------------------------------------------

HAND = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Hand" origin="QualCoder 3.6">
<Users><User guid="u1" name="me"/></Users>
<CodeBook><Codes>
  <Code guid="c1" name="Stand-alone code" isCodable="true"/>
  <Code guid="c2" name="Café culture" isCodable="true"><Description>Where people meet.</Description>
    <Code guid="c3" name="Child" isCodable="true"><Code guid="c4" name="Grand child" isCodable="true"/></Code>
  </Code>
</Codes></CodeBook>
<Variables>
  <Variable guid="v1" name="Role_Label" typeOfVariable="Text"/><Variable guid="v2" name="consent_to_quote" typeOfVariable="Boolean"/>
  <Variable guid="v3" name="group" typeOfVariable="Text"/><Variable guid="v4" name="gender" typeOfVariable="Text"/>
  <Variable guid="v5" name="source" typeOfVariable="Text"/><Variable guid="v6" name="question" typeOfVariable="Text"/>
</Variables>
<Cases><Case guid="k1" name="Jane Doe">
  <VariableValue><VariableRef targetGUID="v1"/><TextValue>nurse</TextValue></VariableValue>
  <VariableValue><VariableRef targetGUID="v2"/><BooleanValue>true</BooleanValue></VariableValue>
  <VariableValue><VariableRef targetGUID="v3"/><TextValue>professional</TextValue></VariableValue>
  <VariableValue><VariableRef targetGUID="v4"/><TextValue>female</TextValue></VariableValue>
  <SourceRef targetGUID="s1"/><SourceRef targetGUID="s2"/>
</Case></Cases>
<Sources>
  <TextSource guid="s1" name="Answer 7"><PlainTextContent>It changed how I chair meetings.</PlainTextContent>
    <PlainTextSelection guid="p1" startPosition="3" endPosition="10">
      <Description>Exemplar: grand child</Description>
      <Coding guid="g1" creatingUser="u1"><CodeRef targetGUID="c4"/></Coding>
      <Coding guid="g2" creatingUser="u1"><CodeRef targetGUID="c2"/></Coding></PlainTextSelection>
    <VariableValue><VariableRef targetGUID="v5"/><TextValue>Survey</TextValue></VariableValue>
    <VariableValue><VariableRef targetGUID="v6"/><TextValue>q07</TextValue></VariableValue>
  </TextSource>
  <TextSource guid="s2" name="Answer 1"><PlainTextContent>Better than most.</PlainTextContent>
    <PlainTextSelection guid="p2" startPosition="0" endPosition="6">
      <Coding guid="g3" creatingUser="u1"><CodeRef targetGUID="c1"/></Coding></PlainTextSelection>
    <VariableValue><VariableRef targetGUID="v5"/><TextValue>survey</TextValue></VariableValue>
    <VariableValue><VariableRef targetGUID="v6"/><TextValue>q01</TextValue></VariableValue>
  </TextSource>
</Sources>
</Project>
"""


def test_codebook_and_register_rules_on_a_hand_written_project(tmp_path):
    path = _zip(tmp_path / "hand" / "p.qdpx", {"project.qde": HAND.encode()})
    data = load_qdpx(path)
    assert data.codebook.themes[["theme_id", "name", "definition"]].values.tolist() == [
        ["stand_alone_code", "Stand-alone code", ""], ["cafe_culture", "Café culture", "Where people meet."]]
    assert data.codebook.codes[["code_id", "name"]].values.tolist() == [
        ["stand_alone_code.stand_alone_code", "Stand-alone code"],
        ["cafe_culture.general", "Café culture (general)"],  # the theme itself was coded
        ["cafe_culture.child", "Child"],
        ["cafe_culture.child_grand_child", "Child / Grand child"]]
    # A case name that is not an ID is replaced (never reaches the report); answers in question order.
    assert data.respondents.values.tolist() == [["S01", "survey", "professional", "female", "nurse", "yes", ""]]
    assert data.segments[["segment_id", "topic", "text"]].values.tolist() == [
        ["S01-q01", "q01", "Better than most."], ["S01-q07", "q07", "It changed how I chair meetings."]]
    assert data.codings.values.tolist() == [
        ["S01-q01", "A", "stand_alone_code.stand_alone_code", ""],
        ["S01-q07", "A", "cafe_culture.general", ""],
        ["S01-q07", "A", "cafe_culture.child_grand_child", "yes"]]
    assert not data.double_coding and data.sources == ("survey",)


def test_an_answer_without_a_primary_coding_is_refused(tmp_path):
    text = HAND.replace('<PlainTextSelection guid="p2" startPosition="0" endPosition="6">\n      '
                        '<Coding guid="g3" creatingUser="u1"><CodeRef targetGUID="c1"/></Coding></PlainTextSelection>',
                        "")
    path = _zip(tmp_path / "uncoded" / "p.qdpx", {"project.qde": text.encode()})
    with pytest.raises(QualitativeDataError) as err:
        load_qdpx(path)
    assert str(err.value) == ("p.qdpx, entry project.qde, element '<Case name='S01'>': segment 'S01-q01' has no "
                              "coding by the primary coder. What to do: code it, or delete the answer from the source.")


def test_personal_data_in_a_project_is_found(tmp_path):
    """The stage's scan reads a .qdpx too, and names the segment holding the hit."""
    from qual_fixture import tables

    from lehc_report import privacy
    from lehc_report.errors import PersonalDataFound
    from lehc_report.stages.qual import scan_free_text

    t = tables()
    t["interview_segments.csv"][1][1]["text"] = "Write to me at jo.bloggs@example.org about it."
    data = load_qualitative(write_fixture(tmp_path / "csv", t))
    folder = tmp_path / "cohort"
    write_qdpx(data, folder / "team.qdpx", "LEHC")
    with pytest.raises(PersonalDataFound) as err:
        scan_free_text(folder, privacy.load_settings(ROOT, folder))
    assert str(err.value).startswith("team.qdpx, segment I01-02, row 1, column 'text': possible personal data "
                                     "(email: 'jo.bloggs@example.org')")
