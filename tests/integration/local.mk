# integration suites
