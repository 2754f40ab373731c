"""Recognition numbers under concurrency: two decisions granting the year's first recognitions
at once both get a number, gapless, on PostgreSQL (the counter's row was read, then inserted:
the second insert failed on the primary key, a 500 to the committee), and a rolled-back
transaction gives its number back."""

from __future__ import annotations

import asyncio

import pytest

from cap_labelling.recognitions.repository import RecognitionRepository
from cap_shared.runtime import ServiceRuntime


async def test_the_year_s_first_numbers_taken_at_once_are_both_given(
    runtime: ServiceRuntime,
) -> None:
    first_taken = asyncio.Event()

    async def take(*, hold: bool) -> int:
        async with runtime.db.session() as session:
            number = await RecognitionRepository(session).next_number("CAPRSE", year=2031)
            if hold:  # the first holds its row while the second asks
                first_taken.set()
                await asyncio.sleep(0.3)
            return number

    async def second() -> int:
        await first_taken.wait()
        return await take(hold=False)

    numbers = await asyncio.gather(take(hold=True), second())
    assert sorted(numbers) == [1, 2]


async def test_a_rolled_back_number_is_given_again(runtime: ServiceRuntime) -> None:
    async with runtime.db.session() as session:
        assert await RecognitionRepository(session).next_number("CAPISO", year=2031) == 1
    taken: list[int] = []

    async def failing_decision() -> None:
        async with runtime.db.session() as session:
            taken.append(await RecognitionRepository(session).next_number("CAPISO", year=2031))
            raise RuntimeError("the decision fails after its number was taken")

    with pytest.raises(RuntimeError):
        await failing_decision()
    assert taken == [2]
    async with runtime.db.session() as session:
        repository = RecognitionRepository(session)
        assert await repository.next_number("CAPISO", year=2031) == 2
        assert await repository.next_number("CAPISO", year=2032) == 1
        assert await repository.next_number("CAPISO", year=2031) == 3
