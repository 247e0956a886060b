"""The feed body cache stays within its bounds and forgets the least recently used first."""
from trainings.calendar.cache import BodyCache


def test_least_recently_used_go_first_and_bounds_hold():
    cache = BodyCache(max_entries=2, max_bytes=10)
    cache.put(("a", 1), b"aaa")
    cache.put(("b", 1), b"bbb")
    assert cache.get(("a", 1)) == b"aaa"  # "b" is now the least recently used
    cache.put(("c", 1), b"ccc")
    assert cache.get(("b", 1)) is None
    assert cache.get(("a", 1)) == b"aaa" and cache.get(("c", 1)) == b"ccc"
    cache.put(("d", 1), b"dddddddd")  # 8 bytes: the others must go to stay within 10
    assert len(cache) == 1 and cache.get(("d", 1)) == b"dddddddd"
    cache.put(("huge", 1), b"x" * 11)  # larger than the whole cache: not kept
    assert cache.get(("huge", 1)) is None
    assert (cache.hits, cache.misses) == (4, 2)
