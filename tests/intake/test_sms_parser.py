"""The Henan SMS format as people type it: labels or none, any separator, fields missing."""

import pytest

from services.intake.sms_parser import parse

ID = "11010519491231002X"


@pytest.mark.parametrize("text", [
    f"姓名：张三，住址：砚山县江那镇振兴街8号，身份证号码：{ID}，反映的具体事项及发生地：烧烤摊夜间噪音扰民",
    f"姓名:张三 住址:砚山县江那镇振兴街8号 身份证号:{ID} 反映事项:烧烤摊夜间噪音扰民",
    f"张三、砚山县江那镇振兴街8号、{ID}、烧烤摊夜间噪音扰民",
    f"张三\n砚山县江那镇振兴街8号\n{ID.lower()}\n烧烤摊夜间噪音扰民。",
    f"张三，砚山县江那镇振兴街8号，{ID}\n反映事项：烧烤摊夜间噪音扰民",
])
def test_the_four_fields_are_read_in_any_usual_form(text):
    parsed = parse(text)
    assert parsed.complete, parsed.problems
    assert (parsed.name, parsed.address, parsed.id_number.upper(), parsed.matter) == (
        "张三", "砚山县江那镇振兴街8号", ID, "烧烤摊夜间噪音扰民")


def test_free_text_is_the_matter_and_the_rest_is_missing():
    parsed = parse("振兴街烧烤摊夜间噪音很大，希望管一管")
    assert parsed.matter == "振兴街烧烤摊夜间噪音很大，希望管一管"
    assert parsed.problems == ["姓名", "住址", "身份证号"]


def test_a_wrong_id_number_is_named_and_a_labelled_place_is_kept():
    parsed = parse("姓名：李四，住址：平远镇，身份证：110105194912310021，事项：路灯坏了三天，发生地：平远镇新街口")
    assert parsed.problems == ["身份证号有误"]
    assert parsed.place == "平远镇新街口" and parsed.matter == "路灯坏了三天"


def test_control_characters_and_empty_labels_do_not_break_it():
    parsed = parse("姓名：\x00\x07，住址：，事项：")
    assert parsed.problems == ["姓名", "住址", "身份证号", "事项及发生地"]
    assert len("、".join(parsed.problems)) <= 20  # one SMS template parameter
