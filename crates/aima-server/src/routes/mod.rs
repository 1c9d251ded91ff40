pub mod jobs;
pub mod media;
pub mod openai;
pub mod system;
