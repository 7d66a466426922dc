"""The budget service's domain: the price catalog (catalog.py, built by catalog_build.py or
refresh.py), the cost model (costs.py), totals and changes (totals.py) and exports (export.py).
docs/budget.md describes them."""
