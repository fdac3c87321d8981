import sys
from pathlib import Path

# Test helpers (answers.py) sit beside the tests.
sys.path.insert(0, str(Path(__file__).parent))
