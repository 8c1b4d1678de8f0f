from collections import Counter

from atelier.train.balanced_stream import BalancedRecordStream, record_strata
from atelier.world.records import GarmentImage, PersonImage, Record


class SkewedSource:
    """Records whose garment is a top 3 times in 4: positions are cheap, records are fakes."""

    def record(self, position: int) -> Record:
        category = "top" if position % 4 else ("shoes", "hat")[position // 4 % 2]
        return Record(key=str(position), kind="single", person=PersonImage(image=None), garments=[GarmentImage(category, None)])

    def records_from(self, position: int):
        while True:
            yield position, self.record(position)
            position += 1

    def records_at(self, positions):
        return [self.record(position) for position in positions]


def test_strata_name_task_reference_count_and_categories():
    record = SkewedSource().record(0)
    assert record_strata(record) == ("task:single", "references:2", "category:shoes")


def test_without_a_buffer_the_source_passes_through_unchanged():
    stream = BalancedRecordStream(SkewedSource())
    assert [r.key for r in stream.next_records(5)] == ["0", "1", "2", "3", "4"]


def test_a_buffer_evens_out_a_skewed_source():
    def share_of_tops(stream) -> float:
        categories = Counter(r.garments[0].category for r in stream.next_records(200))
        return categories["top"] / 200

    assert share_of_tops(BalancedRecordStream(SkewedSource())) == 0.75
    balanced = BalancedRecordStream(SkewedSource(), buffer_size=8, patience=4)
    assert share_of_tops(balanced) < 0.5
    assert balanced.dropped > 0


def test_a_restored_stream_continues_exactly():
    original = BalancedRecordStream(SkewedSource(), buffer_size=6, patience=3)
    original.next_records(17)
    restored = BalancedRecordStream(SkewedSource(), buffer_size=6, patience=3)
    restored.load_state_dict(original.state_dict())
    assert [r.key for r in restored.next_records(30)] == [r.key for r in original.next_records(30)]
