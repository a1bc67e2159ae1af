//go:build !unix

package store

import "os"

// fileID is a file's identity where the platform gives no inode: only
// that the path still names a file, so a deleted file is still caught.
type fileID struct{}

// statFile returns the identity of the file at path.
func statFile(path string) (fileID, error) {
	_, err := os.Stat(path)
	return fileID{}, err
}
