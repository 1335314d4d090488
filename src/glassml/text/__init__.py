"""glassml.text: normalisation, stemming, tokenizers, vectorizers and word embeddings."""

from .bpe import BPETokenizer
from .byte_bpe import ByteLevelBPETokenizer
from .fasttext import FastText
from .hashing import murmurhash3_32
from .keyed_vectors import KeyedVectors
from .normalize import ENGLISH_STOP_WORDS, normalize
from .stem import Lemmatizer, PorterStemmer, porter_stem
from .tokenize import char_tokenize, whitespace_tokenize, word_tokenize
from .topics import topics
from .vectorize import CountVectorizer, HashingVectorizer, TfidfTransformer, TfidfVectorizer
from .vocab import Vocabulary
from .word2vec import Word2Vec
from .wordpiece import WordPieceTokenizer

__all__ = [
    "ByteLevelBPETokenizer",
    "ENGLISH_STOP_WORDS",
    "normalize",
    "murmurhash3_32",
    "CountVectorizer",
    "TfidfTransformer",
    "TfidfVectorizer",
    "HashingVectorizer",
    "BPETokenizer",
    "WordPieceTokenizer",
    "Vocabulary",
    "char_tokenize",
    "word_tokenize",
    "whitespace_tokenize",
    "porter_stem",
    "PorterStemmer",
    "Lemmatizer",
    "Word2Vec",
    "FastText",
    "KeyedVectors",
    "topics",
]
