"""The sales method's rules: stages and presets, the weighted forecast, customer classes,
conversion, the weekly digest's figures, customer names, and how amounts and dates are read.

Pure functions over domain objects (`model.py`): nothing here imports the rest of the
assistant, a database or a platform, so every rule is tested on its own.
"""
