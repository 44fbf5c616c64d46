# A Python shell job that fails with a Python exception.
print("about to fail")
raise ValueError("bad input")
