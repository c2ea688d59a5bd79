package keyfile

// ignoresModes reports whether the OS has no Unix permission bits to check:
// Windows guards files with ACLs, which os.FileMode does not show.
func ignoresModes() bool { return true }
