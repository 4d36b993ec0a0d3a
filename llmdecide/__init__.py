"""llmdecide: should an LLM workload run on a cloud API, on your own GPUs, or both?"""

__version__ = "0.1.0"
