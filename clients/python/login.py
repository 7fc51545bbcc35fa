"""Logs in with the driver module named by argv[1] (psycopg2 or psycopg) to
the URL argv[2], whose user and password the server checks, and prints
current_user. A failed login exits non-zero with the driver's error."""

import importlib
import sys

driver = importlib.import_module(sys.argv[1])
conn = driver.connect(sys.argv[2])
cur = conn.cursor()
cur.execute("SELECT current_user")
print(cur.fetchone()[0])
conn.close()
