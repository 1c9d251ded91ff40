pub mod jobs;
pub mod media;
pub mod system;
