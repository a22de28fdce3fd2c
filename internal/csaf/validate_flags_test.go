package csaf

import "flag"

// update is the package's -update flag: golden files in testdata/ are
// rewritten instead of compared. One declaration per package: a test file
// added beside this one uses it rather than declaring its own.
var update = flag.Bool("update", false, "rewrite golden files in testdata/")
