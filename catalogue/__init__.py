"""Health-data metadata catalogue: DCAT-AP 3 / HealthDCAT-AP records in a knowledge graph."""

__version__ = "0.1.0"
