"""The personal-data scan's normalisation and spellings (lehc_report.privacy, scanning half)."""

import dataclasses
from pathlib import Path

import pytest

from lehc_report import privacy

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def settings():
    base = privacy.load_settings(ROOT)
    return dataclasses.replace(base, deny_list=base.deny_list + ("Mary-Jane Lee",))


def test_scan_form_normalises_and_keeps_the_origin():
    text = "07700\u00a0900\u200b123 \uff20 \u0421\u0430therine"  # no-break, zero-width, fullwidth @, Cyrillic С а
    scanned, origin = privacy.scan_form(text)
    assert scanned == "07700 900123 @ Catherine"
    assert len(origin) == len(scanned) and origin[6] == 6 and origin[9] == 10  # the zero-width space is gone
    assert privacy.normalise_for_scan("Si\u00e2n \u0661\u0662") == "Sian 12"  # accent dropped; Arabic-Indic digits
    assert privacy.normalise_for_scan("\u0399an") == "Ian"  # Greek capital iota stays a capital I


@pytest.mark.parametrize("text, kind, found", [
    ("call 0044 7700 900123 now", "uk phone", "0044 7700 900123"),
    ("or +44 (0)20 7946 0958.", "uk phone", "+44 (0)20 7946 0958"),
    ("+447700900123", "uk phone", "+447700900123"),
    ("07700\u00a0900\u00a0123", "uk phone", "07700\u00a0900\u00a0123"),
    ("07700\u200b900\u200b123", "uk phone", "07700\u200b900\u200b123"),
    ("07700.900.123", "uk phone", "07700.900.123"),
    ("07700/900/123", "uk phone", "07700/900/123"),
    ("020-7946-0958", "uk phone", "020-7946-0958"),
    ("07700 900123 42", "uk phone", "07700 900123"),
    ("\uff10\uff17\uff17\uff10\uff10 900123", "uk phone", "\uff10\uff17\uff17\uff10\uff10 900123"),  # fullwidth digits
    ("Ring 0 7 7 0 0 9 0 0 1 2 3 any time", "uk phone", "0 7 7 0 0 9 0 0 1 2 3"),  # digit by digit
    ("0-7-7-0-0-9-0-0-1-2-3.", "uk phone", "0-7-7-0-0-9-0-0-1-2-3"),
    ("on +44 (0) 2 0 7 9 4 6 0 9 5 8", "uk phone", "+44 (0) 2 0 7 9 4 6 0 9 5 8"),
    ("0\u00a07\u00a07\u00a00\u00a00\u00a09\u00a00\u00a00\u00a01\u00a02\u00a03", "uk phone",
     "0\u00a07\u00a07\u00a00\u00a00\u00a09\u00a00\u00a00\u00a01\u00a02\u00a03"),
    ("943.476.5919", "nhs number", "943.476.5919"),
    ("943/476/5919", "nhs number", "943/476/5919"),
    ("943\u200b476\u200b5919", "nhs number", "943\u200b476\u200b5919"),
    ("9434765919", "nhs number", "9434765919"),
    ("SE11\u00a05NH", "uk postcode", "SE11\u00a05NH"),
    ("se11-5nh", "uk postcode", "se11-5nh"),
    ("jo.bloggs\uff20example.org", "email", "jo.bloggs\uff20example.org"),
    ("Wilton, Catherine said", "name on the deny-list", "Wilton, Catherine"),
    ("see Wilton, C. (2012)", "name on the deny-list", "Wilton, C."),
    ("C. Wilton ran it", "name on the deny-list", "C. Wilton"),
    ("C Wilton ran it", "name on the deny-list", "C Wilton"),
    ("Catherine A. Wilton", "name on the deny-list", "Catherine A. Wilton"),
    ("Catherine Wilton-Smith", "name on the deny-list", "Catherine Wilton"),
    ("Mary Jane Lee", "name on the deny-list", "Mary Jane Lee"),
    ("Mary\u2013Jane Lee", "name on the deny-list", "Mary\u2013Jane Lee"),
    ("M.-J. Lee", "name on the deny-list", "M.-J. Lee"),
    ("Lee, Mary-Jane", "name on the deny-list", "Lee, Mary-Jane"),
    ("\u0421\u0430therine Wilt\u043en", "name on the deny-list", "\u0421\u0430therine Wilt\u043en"),
    ("J\u200benny\u00a0Rouse", "name on the deny-list", "J\u200benny\u00a0Rouse"),
    ("\uff2a\uff55\uff4c\uff49\uff41 \uff33\uff4c\uff41\uff59", "name on the deny-list", "\uff2a\uff55\uff4c\uff49\uff41 \uff33\uff4c\uff41\uff59"),
])
def test_every_spelling_is_found_as_typed(text, kind, found, settings):
    assert (kind, found) in privacy.find_personal_data(text, settings)


@pytest.mark.parametrize("text", [
    "p = 0.0441", "0.0441123456 and 0.00441", "0.12 0.34 0.56 0.78", "t(8) = -7.799, p < .001; 2013 2014",
    "in 1,234,567,890 cases", "it's Wilton", "cwilton", "0 7 7", "d_z = 1.2345678901", "M = 7.5633, SD = 0.0440",
    "a scale of 0 1 2 3 4 5 6 7 8 9 10", "rated 0 1 2 3 4 5 6 7 8 9", "counts [0 1 0 0 2 0 1 0 0 0 1 0]",
    "0 7 7 0 0 9 0 0 1 2 3 4 5", "0.1 2 3 4 5 6 7 8 9 1", "1 2 3 4 5 6 7 8 9 1 2",
    "[0 1 1 0 0 1 0 0 1 0]", "0-1-1-0-0-1-0-0-1-0", "[0 3 1 0 2 0 0 1 2 0 1]", "ranks 0 2 1 3 4 6 5 7 8 9",
    "0 9 8 7 6 5 4 3 2 1", "counts [ 0 3 1 0 2 0 0 1 2 0 1 ]",
])
def test_computed_numbers_and_near_words_are_not_hits(text, settings):
    assert privacy.find_personal_data(text, settings) == []


def test_nhs_check_digit():
    assert privacy.nhs_check_digit_valid("943 476 5919")
    assert not privacy.nhs_check_digit_valid("943 476 5918")


def test_allow_list_is_scoped_to_pages(settings):
    assert privacy.allowed_on_page("colophon", settings) == frozenset({"Jenny Rouse"})
    assert privacy.allowed_on_page("references", settings) == frozenset({"Jenny Rouse", "Catherine Wilton"})
    assert privacy.allowed_on_page("findings_people", settings) == frozenset()
    text = "Rouse, J. (2013) and Wilton, C (2012)"
    assert privacy.find_personal_data(text, settings, skip_names=privacy.allowed_on_page("references", settings)) == []
    assert privacy.find_personal_data(text, settings, skip_names=privacy.allowed_on_page("colophon", settings)) == [
        ("name on the deny-list", "Wilton, C")]


def test_allow_list_entry_needs_pages(tmp_path):
    (tmp_path / "privacy.yml").write_text("min_group_size: 5\nallow_names:\n  - {name: Jo Bloggs}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"privacy.yml, allow_names entry 1: give a name and the pages"):
        privacy.load_settings(tmp_path)


def test_cohort_credits_may_name_the_allowed_authors_and_nothing_else(tmp_path):
    """The shipped credits name the 2013 report's author (allowed on the title page and
    colophon); the same name elsewhere in cohort.yml, or another listed name in the credits,
    still stops the build."""
    from lehc_report.errors import PersonalDataFound
    from lehc_report.inputs.personal_data import scan_yaml_file

    base = privacy.load_settings(ROOT)
    settings = dataclasses.replace(base, deny_list=("Jenny Rouse", "Ann Other"),
                                   allow_names=(privacy.AllowedName("Jenny Rouse", ("index", "colophon"), ""),))
    cohort = tmp_path / "cohort.yml"
    cohort.write_text("credits:\n  authors: [Dr Jenny Rouse]\n", encoding="utf-8")
    scan_yaml_file(cohort, settings)
    cohort.write_text("programme: Jenny Rouse's course\n", encoding="utf-8")
    with pytest.raises(PersonalDataFound, match=r"cohort.yml, key programme: .*Jenny Rouse"):
        scan_yaml_file(cohort, settings)
    cohort.write_text("credits:\n  authors: [Ann Other]\n", encoding="utf-8")
    with pytest.raises(PersonalDataFound, match=r"key credits.authors\[0\]: .*Ann Other"):
        scan_yaml_file(cohort, settings)


def test_yaml_scan_reads_every_shipped_file_as_the_readers_do(monkeypatch, tmp_path):
    """The scan parses YAML with libyaml when it can: the same documents as yaml.safe_load for
    every shipped YAML file, and a text the C parser refuses is still parsed and scanned."""
    import yaml

    from lehc_report.errors import PersonalDataFound
    from lehc_report.inputs.personal_data import _safe_load_fast, scan_yaml_file

    shipped = sorted([*ROOT.glob("*.yml"), *(ROOT / "data").glob("*.yml")])
    assert len(shipped) >= 8
    for path in shipped:
        text = path.read_text(encoding="utf-8-sig")
        assert _safe_load_fast(text) == yaml.safe_load(text), path.name

    class RefusingLoader(yaml.SafeLoader):
        def get_single_data(self):
            raise yaml.YAMLError("refused")

    monkeypatch.setattr(yaml, "CSafeLoader", RefusingLoader, raising=False)
    settings = dataclasses.replace(privacy.load_settings(ROOT), deny_list=("Ann Other",))
    cohort = tmp_path / "cohort.yml"
    cohort.write_text("programme: Ann Other's course\n", encoding="utf-8")
    with pytest.raises(PersonalDataFound, match=r"cohort.yml, key programme: .*Ann Other"):
        scan_yaml_file(cohort, settings)
