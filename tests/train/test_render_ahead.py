import time

import pytest

from atelier.train.render_ahead import rendered_in_order


def slower_for_small(number: int) -> int:
    """Finishes out of order: small numbers take longest."""
    time.sleep(0.02 * (5 - number % 5))
    return number * number


def refuses_three(number: int) -> int:
    if number == 3:
        raise ValueError("three is not renderable")
    return number


def test_results_come_in_the_order_asked_even_when_workers_finish_out_of_order():
    results = list(rendered_in_order(slower_for_small, iter(range(12)), workers=2))
    assert results == [(number, number * number) for number in range(12)]


def test_an_endless_argument_stream_is_read_only_a_bounded_way_ahead():
    asked = []

    def counting():
        number = 0
        while True:
            asked.append(number)
            yield number
            number += 1

    stream = rendered_in_order(slower_for_small, counting(), workers=2)
    assert [next(stream) for _ in range(3)] == [(0, 0), (1, 1), (2, 4)]
    stream.close()
    assert len(asked) <= 3 + 2 * 4  # what was taken plus the records in flight


def test_a_workers_error_reaches_the_caller_at_its_record():
    stream = rendered_in_order(refuses_three, iter(range(6)), workers=2)
    assert [next(stream) for _ in range(3)] == [(0, 0), (1, 1), (2, 2)]
    with pytest.raises(ValueError, match="three"):
        next(stream)


def test_no_workers_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        next(rendered_in_order(slower_for_small, iter(range(3)), workers=0))
