# A Python shell job that runs until it is stopped or times out.
import time

print("sleeping", flush=True)
time.sleep(600)
