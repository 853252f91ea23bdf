"""conctui: see Python concurrency. Package `conctui`, built from tui/ and workloads/."""
__version__ = "0.1.0"
