-- Persons on the vector index: each person's centroid direction (its
-- face embeddings' sum at unit length) as a pgvector vector with its size
-- (face models differ in size, so the column has none and is compared
-- exactly), kept beside the sum by every write of it, so that clustering a
-- new face and face search find the closest persons with one distance
-- query instead of reading every centroid.
ALTER TABLE persons ADD COLUMN dims INTEGER;
ALTER TABLE persons ADD COLUMN direction vector;
UPDATE persons
SET dims = jsonb_array_length(centroid::jsonb), direction = l2_normalize(CAST(centroid AS vector))
WHERE jsonb_array_length(centroid::jsonb) > 0;
CREATE INDEX persons_by_size ON persons (workspace_id, dims);
