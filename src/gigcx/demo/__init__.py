"""Demo data: two brands, their programs and experts, and two weeks of tickets."""
