import pytest

from rempart.domain.audit import safe_detail


def test_it_refuses_details_long_enough_to_be_contents():
    assert safe_detail({"files": 2, "role": "victim"}) == {"files": 2, "role": "victim"}
    with pytest.raises(ValueError):
        safe_detail({"text": "x" * 101})
