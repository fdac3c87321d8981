import sys
from pathlib import Path

# Test helpers (roundtrip.py) sit beside the tests.
sys.path.insert(0, str(Path(__file__).parent))
