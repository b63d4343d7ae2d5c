import re

from services.core.demo_directory import COUNTIES, UNITS, command_center_code
from services.routing.catalog import CATEGORIES, TOP_LEVEL
from services.routing.rules import RULES, Assignee, Rule, match_rule

SEED_CATEGORIES = ("市政管理 环境卫生 社会治安 安全生产 生态保护 社会事业"
                   " 基础设施 市场管理 政策咨询 权益诉求 政务监督 其他")


def test_top_level_categories_follow_the_seed_list():
    assert [CATEGORIES[code].name for code in TOP_LEVEL] == SEED_CATEGORIES.split()


def test_categories_are_consistent():
    for cat in CATEGORIES.values():
        assert re.fullmatch(r"[a-z_]+(\.[a-z_]+)?", cat.code)
        assert cat.parent is None or cat.parent in CATEGORIES
        assert cat.urgency in ("normal", "urgent")
        assert cat.sla_class in ("normal", "urgent", "complex", "consult")
        assert cat.statutory_days is None or cat.statutory_days > 0
        words = [w for w, _ in cat.keywords]
        assert words and len(words) == len(set(words)), cat.code
        assert {weight for _, weight in cat.keywords} <= {1, 2, 3}


def test_every_county_has_an_active_command_center():
    for adcode, name in COUNTIES:
        center = UNITS[command_center_code(adcode)]
        assert center.kind == "command_center" and center.active
        assert center.parent == adcode and UNITS[adcode].name == name


def test_units_form_a_tree_within_their_county():
    for unit in UNITS.values():
        assert unit.parent is None or unit.parent in UNITS, unit.code
        assert re.fullmatch(r"\d{6}", unit.region_code)
        phones = unit.handler_phones + unit.leader_phones
        assert all(re.fullmatch(r"1[3-9]\d{9}", p) for p in phones)
        if unit.kind == "town":
            assert re.fullmatch(r"\d{9}", unit.code) and unit.code.startswith(unit.region_code)


def test_demo_contacts_are_unique_per_unit():
    phones = [p for unit in UNITS.values() for p in unit.handler_phones]
    assert len(phones) == len(set(phones))


def test_every_rule_references_existing_units_and_categories():
    for rule in RULES:
        assert rule.category in CATEGORIES, rule
        assert rule.lead in UNITS, rule
        assert all(a.unit_code in UNITS and a.role != "lead" for a in rule.co), rule
        assert UNITS[rule.lead].region_code.startswith(rule.region_prefix), rule
        if rule.town_code:
            assert UNITS[rule.town_code].kind == "town"


def units(match):
    return [(a.unit_code, a.role) for a in match.assignees]


def test_sub_category_rule_beats_the_parent_rule():
    match = match_rule(RULES, "market.food", "532622")
    assert units(match) == [("532622-market", "lead"), ("532622-health", "cooperating")]


def test_sub_category_without_its_own_rule_uses_the_parent_rule():
    assert units(match_rule(RULES, "market.price", "532601")) == [("532601-market", "lead")]


def test_noise_goes_to_urban_management_with_police_cooperating():
    match = match_rule(RULES, "municipal.noise", "532622")
    assert match.lead == Assignee("532622-urban", "lead")
    assert Assignee("532622-police", "cooperating") in match.co


def test_returned_lead_falls_back_to_the_next_rule():
    match = match_rule(RULES, "municipal.noise", "532622", exclude=frozenset({"532622-urban"}))
    assert units(match) == [("532622-police", "lead")]


def test_excluded_co_unit_is_dropped_but_lead_kept():
    match = match_rule(RULES, "market.food", "532622", exclude=frozenset({"532622-health"}))
    assert units(match) == [("532622-market", "lead")]


def test_nothing_left_after_every_candidate_returned():
    gone = frozenset({"532622-urban", "532622-police"})
    assert match_rule(RULES, "municipal.noise", "532622", exclude=gone) is None


def test_town_rule_applies_only_in_its_town():
    in_town = match_rule(RULES, "sanitation.garbage", "532622", town_code="532622101")
    county_seat = match_rule(RULES, "sanitation.garbage", "532622", town_code="532622100")
    assert units(in_town) == [("532622101", "lead"), ("532622-urban", "cooperating")]
    assert units(county_seat) == [("532622-urban", "lead")]


def test_unknown_place_or_category_has_no_rule():
    assert match_rule(RULES, "market", "532623") is None
    assert match_rule(RULES, "other", "532622") is None


def test_longer_region_prefix_beats_a_sub_category_elsewhere():
    rules = [Rule("municipal.noise", "5326", "cc-532600"),
             Rule("municipal", "532622", "532622-urban")]
    assert match_rule(rules, "municipal.noise", "532622").lead.unit_code == "532622-urban"
    assert match_rule(rules, "municipal.noise", "532601").lead.unit_code == "cc-532600"


def test_priority_breaks_ties_between_equally_specific_rules():
    rules = [Rule("market", "532622", "532622-police", priority=1),
             Rule("market", "532622", "532622-market", priority=5)]
    assert match_rule(rules, "market", "532622").lead.unit_code == "532622-market"


def test_category_prefix_matches_whole_codes_only():
    rules = [Rule("market", "532622", "532622-market")]
    assert match_rule(rules, "marketing", "532622") is None
