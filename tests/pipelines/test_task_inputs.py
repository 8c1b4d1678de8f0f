import numpy as np
import pytest

from atelier.data.images import EmptyImage
from atelier.pipelines.task_inputs import check_task_inputs
from tests.pipelines.conftest import random_image

PERSON = random_image(20, 15)
GARMENT = random_image(10, 10, seed=1)


def test_conditions_come_in_canonical_order_with_a_requested_garment_token_for_tryoff():
    multi = check_task_inputs("multi", person=PERSON, garments=[(GARMENT, "top"), (GARMENT, "hat")])
    assert [c.role for c in multi.conditions()] == ["person", "top", "hat"]
    tryoff = check_task_inputs("tryoff", person=PERSON, category="shoes")
    assert [(c.role, c.image is None) for c in tryoff.conditions()] == [("person", False), ("shoes", True)]
    m2m = check_task_inputs("m2m", person=PERSON, outfit_source=GARMENT)
    assert [c.role for c in m2m.conditions()] == ["person", "outfit_source"]
    pose = check_task_inputs("pose", person=PERSON, pose=GARMENT)
    assert [c.role for c in pose.conditions()] == ["person", "pose"]


def test_tryoff_takes_its_category_either_way():
    by_keyword = check_task_inputs("tryoff", person=PERSON, category="top")
    by_garment = check_task_inputs("tryoff", person=PERSON, garments=[(None, "top")])
    assert by_keyword.category == by_garment.category == "top"
    assert by_garment.garments == ()


@pytest.mark.parametrize(
    ("task", "inputs", "message"),
    [
        ("dance", {"person": PERSON}, "unknown task"),
        ("multi", {"person": PERSON, "garments": [(GARMENT, "top")] * 7}, "at most 6"),
        ("single", {"person": PERSON, "garments": [(GARMENT, "scarf")]}, "unknown category 'scarf'"),
        ("single", {"garments": [(GARMENT, "top")]}, "needs a person"),
        ("single", {"person": PERSON, "garments": [(GARMENT, "top")] * 2}, "use task='multi'"),
        ("single", {"person": PERSON}, "exactly 1 garment"),
        ("modelfree", {"person": PERSON, "garments": [(GARMENT, "top")]}, "takes no person"),
        ("tryoff", {"person": PERSON}, "needs the category"),
        ("tryoff", {"person": PERSON, "garments": [(GARMENT, "top")]}, "takes no garment images"),
        ("tryoff", {"person": PERSON, "category": "top", "garments": [(None, "hat")]}, "two categories"),
        ("single", {"person": PERSON, "garments": [(GARMENT, "top")], "category": "top"}, "does not take a category"),
        ("pose", {"person": PERSON}, "needs a pose image"),
        ("single", {"person": PERSON, "garments": [(GARMENT, "top")], "pose": PERSON}, "does not take a pose"),
        ("m2m", {"person": PERSON}, "needs an outfit_source"),
        ("edit", {"person": PERSON, "instruction": "  "}, "needs an instruction"),
        ("single", {"person": PERSON.astype(np.float32), "garments": [(GARMENT, "top")]}, "uint8"),
        ("single", {"person": PERSON[..., 0], "garments": [(GARMENT, "top")]}, "RGB"),
        ("single", {"person": "person.jpg", "garments": [(GARMENT, "top")]}, "numpy array"),
        ("single", {"person": PERSON, "garments": [GARMENT]}, "pair"),
    ],
)
def test_bad_requests_are_clear_value_errors(task, inputs, message):
    with pytest.raises(ValueError, match=message):
        check_task_inputs(task, **inputs)


def test_empty_images_are_typed_image_errors():
    with pytest.raises(EmptyImage, match="garment 1 \\(top\\)"):
        check_task_inputs("single", person=PERSON, garments=[(np.zeros((0, 5, 3), np.uint8), "top")])
