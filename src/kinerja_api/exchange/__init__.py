"""Exchange formats of the national systems every BKPSDM already uses: the SKP as e-Kinerja
BKN takes it (`ekinerja/`) and complaints in SP4N-LAPOR!'s disposition shape (`lapor/`), built
from their published field lists; nothing here calls those systems."""
