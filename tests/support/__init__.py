"""What the tests (and the benchmarks) need beside the tracker itself: a throwaway PostgreSQL
server. Not part of the shipped package."""
