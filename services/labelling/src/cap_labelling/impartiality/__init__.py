"""Committee impartiality: who may decide on a structure's file, or on an appeal against it."""
