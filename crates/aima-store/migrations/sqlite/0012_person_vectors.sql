-- Persons on the vector index: each person's centroid direction (its
-- face embeddings' sum at unit length) as a sqlite-vec vector with its
-- size, kept beside the sum by every write of it, so that clustering a new
-- face and face search find the closest persons with one distance query
-- instead of reading every centroid.
ALTER TABLE persons ADD COLUMN dims INTEGER;
ALTER TABLE persons ADD COLUMN direction BLOB;
UPDATE persons
SET dims = json_array_length(centroid), direction = vec_normalize(vec_f32(centroid))
WHERE json_array_length(centroid) > 0;
CREATE INDEX persons_by_size ON persons (workspace_id, dims);
