"""What personalized and translated chapters share: the chapter source, sections shielded from the
model, structure checks, generation and the cache of generated chapters."""
