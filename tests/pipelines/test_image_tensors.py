import numpy as np
import pytest
import torch

from atelier.pipelines.image_tensors import fit_to_model, images_to_tensor, restore_to_input, tensor_to_images
from tests.pipelines.conftest import random_image


def test_pixels_survive_the_round_trip_through_tensors():
    images = [random_image(8, 6, seed) for seed in range(3)]
    tensor = images_to_tensor(images)
    assert tensor.shape == (3, 3, 8, 6) and tensor.min() >= -1 and tensor.max() <= 1
    for before, after in zip(images, tensor_to_images(tensor), strict=True):
        np.testing.assert_array_equal(before, after)


def test_out_of_range_outputs_are_clamped():
    (image,) = tensor_to_images(torch.tensor([[[[-3.0]], [[0.0]], [[5.0]]]]))
    assert image.tolist() == [[[0, 128, 255]]]


@pytest.mark.parametrize("shape", [(40, 10), (10, 40), (32, 24)])
def test_any_aspect_is_padded_to_the_model_and_restored_to_its_own_size(shape):
    image = random_image(*shape)
    fitted, padding = fit_to_model(image, (16, 12))
    assert fitted.shape == (16, 12, 3)
    assert restore_to_input(fitted, padding).shape == (*shape, 3)
