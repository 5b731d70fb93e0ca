import './base.css';
import './publish.css';
