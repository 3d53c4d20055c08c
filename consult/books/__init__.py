"""The books folder: find it, read and validate every file into records (with file and line
for every problem), write to it atomically under one lock, and check it."""
