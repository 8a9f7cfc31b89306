# policy module: unit tests
