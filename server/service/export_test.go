package service

import "testing"

// FillHashPool occupies every worker and queue place of s's hashing pool
// until release is closed, and returns once they are all held; done yields
// one value per place when it is given back.
func FillHashPool(t *testing.T, s *Service, release <-chan struct{}) (done <-chan error) {
	done, _ = fill(t, s.hashes, release)
	return done
}

// HashPlaces is how many callers s's hashing pool admits at once.
func HashPlaces(s *Service) int { return cap(s.hashes.admitted) }

// KnownWaiting is how many known devices hold a place in s's hashing pool.
func KnownWaiting(s *Service) int { return len(s.hashes.known) }
