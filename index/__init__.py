"""Search over procedures: Vietnamese normalisation, BM25, dense embeddings in FAISS, and their fusion."""
